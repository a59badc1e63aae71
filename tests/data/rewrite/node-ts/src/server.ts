import * as http from "http";
import ms from "ms";

const port = Number(process.env.PORT || 3000);
http
  .createServer((_req, res) => {
    res.end(`hello from node-ts, ${ms(60000)}\n`);
  })
  .listen(port, "0.0.0.0");
