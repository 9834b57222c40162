'use strict';
// The Express 5 app. Without BENCH_READMEIO it is the plain app (the baseline, or the app our preload
// observes); with it, the official `readmeio` SDK is wired in the way its docs show, as a middleware.
const http = require('node:http');
const express = require('express');
const { counter, isControl, answerControl, listen } = require('./control.cjs');
const { SMALL } = require('./payloads.cjs');

const app = express();

app.use((req, res, next) => (isControl(req.url) ? answerControl(req, res) : next()));

if (process.env.BENCH_READMEIO === '1') app.use(require('./readmeio-middleware.cjs')());

app.use(express.json({ limit: '1mb' }));

app.get('/json', (req, res) => {
  counter.served++;
  res.json(SMALL);
});

app.post('/echo', (req, res) => {
  counter.served++;
  res.json(req.body);
});

listen(http.createServer(app));
