"""The media library: probing and encoding videos, artwork, the generated demo catalog and the import command."""
