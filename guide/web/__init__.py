"""The page frame shared by every feature: landing page, language, health and error pages."""
