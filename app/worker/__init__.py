"""The library's worker: the task queue (huey), the consumer that runs jobs, and the encode child process."""
