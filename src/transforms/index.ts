// Public names of the transforms room.
export {};
