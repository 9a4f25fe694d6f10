"""The bare Flask "hello" every workload is measured against: the machine's ceiling for Flask."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
