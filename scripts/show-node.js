// Prints the Node.js version the suite runs under, so a CI log shows which Node was used.
console.log(`metis-app tests on Node.js ${process.version}`)
