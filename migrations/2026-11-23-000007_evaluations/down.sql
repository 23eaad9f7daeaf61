DROP TABLE evaluation_attributions;
DROP TABLE evaluations;
DROP TABLE rule_sets;
