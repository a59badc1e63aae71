const http = require("http");
const ms = require("ms");

http
  .createServer((_req, res) => res.end(`hello from node-apt, ${ms(60000)}\n`))
  .listen(3000, "0.0.0.0");
