"""The publisher as a library: settings, the database and the archive, wired once.

The command line and the web app both build one ``Publisher`` and call the
pipeline's functions with it; neither holds logic of its own.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from publisher.config import Settings, load_settings
from publisher.store.archive import Archive
from publisher.store.db import Database
from subscribers.links import Links
from subscribers.store import SubscriberStore
from subscribers.tokens import Tokens


class Publisher:
    """One configured publisher: what every stage of the pipeline needs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def from_config(cls, path: str | Path | None = None) -> Publisher:
        """Load settings from ``path`` (or the usual places) and the environment."""
        return cls(load_settings(path))

    @cached_property
    def db(self) -> Database:
        """The database, with its schema created on first use."""
        database = Database(self.settings.database_url)
        database.create_schema()
        return database

    @cached_property
    def archive(self) -> Archive:
        """The stored issues."""
        return Archive(self.db)

    @cached_property
    def tokens(self) -> Tokens:
        """Signs and reads the confirm, unsubscribe and preferences links."""
        return Tokens.from_settings(self.settings)

    @cached_property
    def subscribers(self) -> SubscriberStore:
        """The audience."""
        return SubscriberStore(self.db, self.tokens)

    @cached_property
    def links(self) -> Links:
        """Each subscriber's personal values and signed links under the site's base URL."""
        return Links(self.tokens, self.settings.site.base_url)

    def close(self) -> None:
        """Release the database connections."""
        if "db" in self.__dict__:
            self.db.dispose()
