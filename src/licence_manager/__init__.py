"""Licence Manager core: the domain, its ports, their adapters and the services behind every
function."""
