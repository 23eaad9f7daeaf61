DROP TABLE person_evaluations;
