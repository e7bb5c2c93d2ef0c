"""The revisions, oldest first by date in their file names (a package only so that an installed app carries them)."""
