-- A guest row without a MAC address yet (rows written by hand, imported guests) is no
-- conflict: unique, but NULL rather than a shared empty default.
ALTER TABLE guests ALTER COLUMN ethernet_address DROP DEFAULT,
                   ALTER COLUMN ethernet_address DROP NOT NULL;
UPDATE guests SET ethernet_address = NULL WHERE ethernet_address = '';
