"""Reports for the authorities: XLSX exports prepared in the background under
/oversight/reports/, with their progress, and a download when they are ready."""
