-- One database per service: services never read each other's data.
CREATE DATABASE bosetting;
CREATE DATABASE kvalifisering;
CREATE DATABASE tolkeregister;
CREATE DATABASE tilskudd;
CREATE DATABASE rapportering;
