-- The database's size, where the server keeps its data (pg_settings hides the row from roles
-- without superuser or pg_read_all_settings, where current_setting() would fail), and whether
-- the server is on this machine: reached over a socket (no server address) or on loopback.
SELECT pg_database_size(current_database()),
       (SELECT setting FROM pg_settings WHERE name = 'data_directory'),
       coalesce(inet_server_addr() << inet '127.0.0.0/8' OR inet_server_addr() = inet '::1', true)
