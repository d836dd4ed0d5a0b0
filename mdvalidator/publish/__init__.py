"""Publishing a report to a pull request: GitHub check runs and comments, Gitee comments."""
