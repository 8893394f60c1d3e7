"""The audience: subscribers, their signed links and their preferences."""
