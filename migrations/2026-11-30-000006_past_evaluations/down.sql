DROP TABLE evaluation_paper_sources;
