DROP TABLE evidence_integrity_checks;
DROP TABLE evidence_marks;
DROP TABLE evidence;
DROP TABLE evidence_blobs;
