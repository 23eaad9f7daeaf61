DROP TABLE assignment_accountables;
