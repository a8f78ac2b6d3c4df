-- Run once by the postgres image when its data volume is new: the app's own role, owner of the
-- app's database but not a superuser (POSTGRES_USER, the superuser, is for administration only).
CREATE ROLE inpulse_app LOGIN PASSWORD 'inpulse_app' NOSUPERUSER NOCREATEDB NOCREATEROLE;
ALTER DATABASE inpulse OWNER TO inpulse_app;
