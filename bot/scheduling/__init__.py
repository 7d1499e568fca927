"""APScheduler in the app's database: the jobs the database calls for, one leader among replicas,
the pace of posts.
"""
