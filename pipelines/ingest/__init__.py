"""Getting deliveries off the landing zone: discovery, encoding detection, CSV and Excel readers."""
