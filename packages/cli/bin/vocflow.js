#!/usr/bin/env node
import { main } from '../src/index.ts';

await main(process.argv.slice(2));
