"""Models for this app arrive with its issue; the app is installed now so its place is fixed."""
