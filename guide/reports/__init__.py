"""Anonymous figures: the coordinators' page, the admin overview, charts and exports."""
