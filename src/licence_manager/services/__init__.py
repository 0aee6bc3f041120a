"""Services: the use cases, orchestrating the domain through the ports."""
