const express = require("express"); const app = express(); app.get("/", (q, r) => r.send("hi")); app.listen(3000);
