// Public names of the pipeline room.
export {};
