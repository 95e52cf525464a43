#!/bin/sh
# Initiate the single-node replica set once (transactions and change streams need one).
mongosh --quiet --host mongo:27017 --eval '
try { rs.status().ok } catch (e) {
  rs.initiate({_id: "rs0", members: [{_id: 0, host: "mongo:27017"}]}).ok
}'
