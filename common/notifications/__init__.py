"""In-app notifications (and email for members who opt in). Other apps call `notify`."""
