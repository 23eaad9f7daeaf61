DROP TABLE evaluation_reopenings;
