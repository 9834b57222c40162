// Loaded with --import before the example API under `readme-metrics dev`: prints the API key dev
// handed the app (its session token), so the browser tests can post to the collector as the SDK does.
console.log(`readme-api-key ${process.env.README_API_KEY}`);
