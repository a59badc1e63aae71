const http = require("http");
const port = process.env.PORT || 3000;
http
  .createServer((req, res) => res.end("hello from slimage's fat sample\n"))
  .listen(port, () => console.log(`listening on ${port}`));
