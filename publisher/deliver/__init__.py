"""Delivery: building each message and handing it to a transport, with a ledger of every attempt."""
