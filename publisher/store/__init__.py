"""The archive: the only place that talks SQL."""
