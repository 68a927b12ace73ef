{
  "targets": [
    {
      "target_name": "timex",
      "sources": ["agent/native/timex.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
