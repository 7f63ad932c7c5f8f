// A word-cloud worker whose module fails while loading (a broken install).
throw new Error('cannot load the drawing code');
