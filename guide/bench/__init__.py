"""The benchmark: a data generator and the helpers `make bench` drives."""
