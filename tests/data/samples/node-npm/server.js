const http = require("http");
const ms = require("ms");
const port = Number(process.env.PORT || 3000);
http
  .createServer((req, res) => res.end(`hello from node, ${ms(60000)}\n`))
  .listen(port, "127.0.0.1");
