-- expect: cluster
SET lock_timeout = '2s';
CLUSTER "Event" USING "Event_pkey";
