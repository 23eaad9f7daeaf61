DROP TABLE consequences;
