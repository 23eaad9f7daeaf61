DROP TABLE spot_checks;
