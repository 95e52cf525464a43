// The one-shot `mongo-init` of docker-compose.yml (mongosh, in the mongo container's
// network namespace so that 127.0.0.1 is mongod's own: MongoDB's localhost exception lets
// the first user be made there and nowhere else). Idempotent; run again after changing a
// password in .env (`docker compose up -d`):
//   1. initiates the single-node replica set `rs0` (transactions need one);
//   2. makes the administrator MONGO_ADMIN_USER (root), once, then signs in as it;
//   3. makes or updates every user of /init/users.json (deploy/mongo/users.json): one
//      per service, readWrite on its own database only, and the backup user.
const fs = require("fs");

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} in .env`);
  return value;
}

function untilPrimary() {
  for (let i = 0; i < 120 && !db.hello().isWritablePrimary; i++) sleep(500);
  if (!db.hello().isWritablePrimary) throw new Error("the replica set elected no primary");
}

const admin = db.getSiblingDB("admin");
const adminUser = required("MONGO_ADMIN_USER");
const adminPassword = required("MONGO_ADMIN_PASSWORD");

let signedIn = false;
try {
  signedIn = admin.auth(adminUser, adminPassword).ok === 1;
} catch (e) {
  // a fresh database: no user yet (or a wrong MONGO_ADMIN_PASSWORD: createUser below fails)
}
if (!signedIn) {
  if (!db.hello().setName) {
    rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] });
  }
  untilPrimary();
  admin.createUser({ user: adminUser, pwd: adminPassword, roles: [{ role: "root", db: "admin" }] });
  admin.auth(adminUser, adminPassword);
}
untilPrimary();

const { users } = JSON.parse(fs.readFileSync("/init/users.json", "utf8"));
for (const u of users) {
  const pwd = required(u.passwordVariable);
  if (admin.getUser(u.user)) {
    admin.updateUser(u.user, { pwd, roles: u.roles });
  } else {
    admin.createUser({ user: u.user, pwd, roles: u.roles });
  }
  print(`user ${u.user}: ${JSON.stringify(u.roles)}`);
}
