#!/usr/bin/env node
// A stable bin entry (pnpm links bins at install time, before dist/ exists).
import '../dist/bin.js';
