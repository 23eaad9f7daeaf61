DROP TABLE public_read_counts;
DROP TABLE round_publications;
