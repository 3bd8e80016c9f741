-- The example resource's table.
CREATE TABLE items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(100) NOT NULL CHECK (name <> ''),
    description varchar(1000),
    created_at timestamptz NOT NULL DEFAULT now()
);
