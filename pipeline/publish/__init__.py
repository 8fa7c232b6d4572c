"""Publish: immutable, versioned release folders in the Hugging Face layout."""

from pipeline.publish.release import PublishResult, ReleaseExistsError, publish_release

__all__ = ["PublishResult", "ReleaseExistsError", "publish_release"]
