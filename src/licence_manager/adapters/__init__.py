"""Adapters: the real implementations of the ports (Firestore, Reseller API) and in-memory fakes."""
