"""Notifications: what the portal tells a person, in the site (/me/notifications/) and by the
e-mails they chose, in their language. Receivers of the other apps' signals are thin; the
writes are in services.py, the reads in selectors.py."""
