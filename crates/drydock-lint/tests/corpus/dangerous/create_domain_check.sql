-- expect: domain-constraint
CREATE DOMAIN "percent" AS integer CHECK (VALUE BETWEEN 0 AND 100);
