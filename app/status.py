"""Process-wide status the pages show: whether the demo catalog is still being made."""

demo_preparing = False
